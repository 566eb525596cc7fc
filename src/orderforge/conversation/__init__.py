"""The order conversation: one thread per order between customer, sales, engineering and
production, with internal notes the customer never sees."""
