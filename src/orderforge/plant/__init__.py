"""The plant: settings, calendars, work centres, items and pricing policy (master data
every other context reads). See docs/adr/0001."""
