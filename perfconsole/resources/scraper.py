"""Periodic scraping of the target's Prometheus text endpoint with httpx (blocking; gevent-friendly)."""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field

import httpx

from perfconsole.resources.prometheus import MetricsPage, counter_rates, extract_series, parse_prometheus_text


@dataclass(frozen=True, slots=True)
class ScrapeResult:
    """One scrape: the chosen series by role, or why it failed (one line)."""

    timestamp: float
    values: dict[str, float] = field(default_factory=dict)
    error: str | None = None
    page: MetricsPage | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def describe_http_error(url: str, exc: httpx.HTTPError) -> str:
    """One line for a failed request: connection refused, timeout, ..."""
    if isinstance(exc, httpx.TimeoutException):
        return f"{url} did not answer in time ({type(exc).__name__})"
    if isinstance(exc, httpx.ConnectError):
        reason = str(exc).strip() or "connection failed"
        if "refused" in reason.lower():
            reason = "connection refused"
        return f"cannot connect to {url}: {reason}"
    return f"request to {url} failed: {str(exc).strip() or type(exc).__name__}"


class PrometheusScraper:
    """Scrapes ``url`` at most every ``interval_s``; failures are reported, never raised."""

    def __init__(
        self,
        url: str,
        *,
        series: Mapping[str, str],
        rate_series: Mapping[str, str] | None = None,
        interval_s: float = 5.0,
        timeout_s: float = 2.0,
        client: httpx.Client | None = None,
    ) -> None:
        self.url = url
        self.series = dict(series)
        self.rate_series = dict(rate_series or {})
        self.interval_s = interval_s
        self._client = client or httpx.Client(timeout=timeout_s, trust_env=False, follow_redirects=False)
        self._owns_client = client is None
        self._last_attempt: float | None = None
        self._last_counters: tuple[float, dict[str, float]] | None = None
        self.last: ScrapeResult | None = None

    def due(self, now: float) -> bool:
        return self._last_attempt is None or now - self._last_attempt >= self.interval_s

    def maybe_scrape(self, now: float | None = None) -> ScrapeResult | None:
        """Scrape if the interval has passed since the last attempt; else ``None``."""
        now = time.monotonic() if now is None else now
        if not self.due(now):
            return None
        self._last_attempt = now
        return self.scrape()

    def scrape(self) -> ScrapeResult:
        """Fetch and parse the page now."""
        mono = time.monotonic()
        try:
            response = self._client.get(self.url)
        except httpx.HTTPError as exc:
            result = ScrapeResult(time.time(), error=describe_http_error(self.url, exc))
        else:
            if response.status_code != 200:
                result = ScrapeResult(
                    time.time(), error=f"metrics {self.url} answered {response.status_code}"
                )
            else:
                page = parse_prometheus_text(response.text)
                values = extract_series(page, self.series)
                counters = extract_series(page, self.rate_series)
                if self._last_counters is not None:
                    then, before = self._last_counters
                    values.update(counter_rates(before, counters, mono - then))
                self._last_counters = (mono, counters)
                result = ScrapeResult(time.time(), values, page=page)
        self.last = result
        return result

    def close(self) -> None:
        if self._owns_client:
            self._client.close()
