"""Job bodies: the functions the job registry (app/jobs/registry.py) names by dotted path, run by the worker or
a job thread. The top layer below the views (docs/layers.md): a task calls the services and the job plumbing
(app.jobs); nothing below imports a task."""
