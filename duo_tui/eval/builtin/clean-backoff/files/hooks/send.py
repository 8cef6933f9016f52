"""Webhook delivery."""

import random
import time

import httpx

MAX_ATTEMPTS = 5
BASE_DELAY_S = 0.5
MAX_DELAY_S = 30.0


def backoff_delay(attempt: int) -> float:
    """Seconds to wait before retry `attempt` (1-based): capped exponential with full jitter."""
    ceiling = min(MAX_DELAY_S, BASE_DELAY_S * (2 ** (attempt - 1)))
    return random.uniform(0, ceiling)


def deliver(client: httpx.Client, url: str, payload: dict) -> bool:
    resp = client.post(url, json=payload, timeout=5.0)
    return resp.is_success


def deliver_with_retry(client: httpx.Client, url: str, payload: dict) -> bool:
    """Deliver, retrying network errors and 5xx answers up to MAX_ATTEMPTS times."""
    for attempt in range(1, MAX_ATTEMPTS + 1):
        try:
            resp = client.post(url, json=payload, timeout=5.0)
        except httpx.TransportError:
            resp = None
        if resp is not None and resp.status_code < 500:
            return resp.is_success
        if attempt < MAX_ATTEMPTS:
            time.sleep(backoff_delay(attempt))
    return False
