"""Health checks: liveness, ping and database probes.

What a load balancer and a monitoring system send. Handy as a smoke test and as a baseline: these
endpoints do almost no work, so their latency is the floor of the service.
"""

from locust import FastHttpUser, constant, tag, task


class HealthCheckUser(FastHttpUser):
    """Polls the health endpoints like a load balancer would."""

    wait_time = constant(0.5)

    @tag("liveness")
    @task(3)
    def health(self) -> None:
        self.client.get("/api/v1/health/")

    @tag("liveness")
    @task(3)
    def ping(self) -> None:
        self.client.get("/api/v1/health/ping")

    @tag("database")
    @task(1)
    def database(self) -> None:
        self.client.get("/api/v1/health/database")

    @task(1)
    def index(self) -> None:
        self.client.get("/")
