"""Auth flow: register, log in, read profile, refresh token, log out — in order.

A ``SequentialTaskSet``: each user walks the whole session lifecycle, then starts again as a new
account. A broken step shows up in the next one too (no token -> 401), as it would for a real client.
"""

import uuid

from locust import HttpUser, SequentialTaskSet, between, task
from requests import Response

PASSWORD = "correct horse battery staple"


class AuthSession(SequentialTaskSet):
    """One account's lifecycle, step by step."""

    username = ""
    token = ""
    refresh_token = ""

    def auth_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def remember_tokens(self, response: Response) -> None:
        body = response.json() if response.ok else {}
        self.token = body.get("token", "")
        self.refresh_token = body.get("refresh_token", "")

    @task
    def register(self) -> None:
        self.username = f"user-{uuid.uuid4().hex[:12]}"
        self.client.post("/api/auth/register", json={"username": self.username, "password": PASSWORD})

    @task
    def login(self) -> None:
        response = self.client.post("/api/auth/login", json={"username": self.username, "password": PASSWORD})
        self.remember_tokens(response)

    @task
    def profile(self) -> None:
        self.client.get("/api/users/me", headers=self.auth_headers())

    @task
    def refresh(self) -> None:
        response = self.client.post("/api/auth/refresh", json={"refresh_token": self.refresh_token})
        self.remember_tokens(response)

    @task
    def logout(self) -> None:
        self.client.post("/api/auth/logout", headers=self.auth_headers())


class AuthUser(HttpUser):
    """Signs up, uses and ends a session, again and again."""

    wait_time = between(0.2, 1.0)
    tasks = [AuthSession]
