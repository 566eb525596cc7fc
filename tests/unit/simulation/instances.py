"""Small random plants for the simulation tests: calendars with breaks, interruptible and
uninterruptible resources, changeovers, releases and precedence DAGs across jobs."""

from __future__ import annotations

from hypothesis import strategies as st

from orderforge.engines.scheduling import Job, Mode, Operation, ProblemData, Resource

HORIZON = 900
CLASSES = ("red", "blue", None)


@st.composite
def resources(draw: st.DrawFn, key: str) -> Resource:
    calendar = None
    if draw(st.booleans()):
        calendar, t = [], draw(st.integers(0, 20))
        while t < HORIZON:
            length = draw(st.integers(25, 90))
            calendar.append((t, min(HORIZON, t + length)))
            t += length + draw(st.integers(1, 40))
    setups = {}
    if draw(st.booleans()):
        setups = {(a, b): draw(st.integers(0, 9)) for a in ("red", "blue") for b in ("red", "blue")}
    initial = draw(st.sampled_from(CLASSES)) if setups else None
    return Resource(key, calendar, draw(st.booleans()), setups, 0, initial)


@st.composite
def plants(draw: st.DrawFn) -> ProblemData:
    """Up to 4 jobs of up to 4 operations; an operation may wait for several earlier ones,
    of its own job or of another (a sub-assembly feeding an assembly)."""
    n_res = draw(st.integers(1, 3))
    res = [draw(resources(f"m{r}")) for r in range(n_res)]
    keys = [r.key for r in res]
    jobs, ops = [], []
    earlier: list[str] = []
    for j in range(draw(st.integers(1, 4))):
        due = draw(st.one_of(st.none(), st.integers(5, 300)))
        jobs.append(Job(f"J{j}", draw(st.integers(0, 60)), due, draw(st.integers(0, 3))))
        for k in range(draw(st.integers(1, 4))):
            chosen = draw(st.lists(st.sampled_from(keys), min_size=1, max_size=n_res, unique=True))
            modes = tuple(Mode(r, draw(st.integers(1, 24))) for r in chosen)
            preds = (
                draw(st.lists(st.sampled_from(earlier), max_size=3, unique=True)) if earlier else []
            )
            key = f"J{j}.{k}"
            release = draw(st.sampled_from((0, 0, 10, 45)))
            cls = draw(st.sampled_from(CLASSES))
            ops.append(Operation(key, f"J{j}", modes, tuple(preds), cls, release))
            earlier.append(key)
    return ProblemData(tuple(jobs), tuple(ops), tuple(res), HORIZON)
