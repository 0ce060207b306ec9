"""The events pane: every change seen and every action taken, newest first, kept 30 days."""
