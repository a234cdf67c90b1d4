"""Security: no leaks under faults, the webhook's defences, TLS verification, and actions under concurrent load."""
