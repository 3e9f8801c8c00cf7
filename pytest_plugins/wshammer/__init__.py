"""wshammer: a rig that builds esp_websocket_client into ESP-IDF test apps and hammers it.

The package follows pytest-embedded's split: what was built (build), how bytes flow
(servers, processes), and what a test sees (log scanning, verdicts, reports).
"""
