"""Learning from orders: customers' ratings after delivery and the product insight report
per family (what is chosen, what went wrong, what to change in the catalogue next)."""
