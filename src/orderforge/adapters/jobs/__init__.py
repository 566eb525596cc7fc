"""Job queues behind the JobQueue port: who runs recorded plan runs, and where."""
