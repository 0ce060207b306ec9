"""The window's dialogs: isolate, version, health details, about and error details."""
