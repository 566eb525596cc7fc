"""The API describes itself: the OpenAPI document and the interactive docs are served."""

from __future__ import annotations

from tests.api.support import API, ApiSession

ORDER_PATHS: dict[str, set[str]] = {
    f"{API}/orders": {"get", "post"},
    f"{API}/orders/{{number}}": {"get", "patch"},
    f"{API}/orders/{{number}}/actions/{{action}}": {"post"},
    f"{API}/orders/{{number}}/actions": {"get"},
    f"{API}/orders/{{number}}/events": {"get"},
}


def test_openapi_document_lists_the_order_paths(api: ApiSession) -> None:
    response = api.client.get(f"{API}/openapi.json")  # public: no credentials needed
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/json")
    document = response.json()
    assert document["openapi"].startswith("3.")
    assert document["info"]["title"] == "OrderForge API"
    paths = document["paths"]
    for path, methods in ORDER_PATHS.items():
        assert path in paths, sorted(paths)
        assert methods <= set(paths[path]), (path, sorted(paths[path]))
    create = paths[f"{API}/orders"]["post"]
    assert "Idempotency-Key" in {p["name"].title() for p in create.get("parameters", [])}
    assert "201" in create["responses"]


def test_docs_page_answers(api: ApiSession) -> None:
    response = api.client.get("/docs")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/html")
    assert f"{API}/openapi.json" in response.text
