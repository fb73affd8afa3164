"""`flask wechat-sandbox` (issue: WeChat foundation)."""

COMMANDS = []
