"""Engineering change (ECR -> ECO): requests, impact, signed decisions."""
