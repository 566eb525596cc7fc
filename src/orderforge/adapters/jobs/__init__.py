"""Job queues behind the JobQueue port: who runs recorded jobs (plan runs, MRP runs), and
where."""
