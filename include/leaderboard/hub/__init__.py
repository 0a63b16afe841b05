"""The Hugging Face Hub side of the leaderboard: the Hub model source, the poller, the webhook
receiver and the local HTTP stand-in of the Hub used by tests and benches."""
