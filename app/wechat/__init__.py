"""The only code that talks to WeChat, over wechatpy (docs/wechat.md).

- `errors`     — WeChatError (an ApiError: code = errcode, msg = errmsg), the one translation into it, and the
                 "unreadable answer" helpers (`bad_answer`, `documented_answer`);
- `tokens`     — the shared token store: Redis, or the `wechat_token` table without Redis;
- `guard`      — one deadline per request and a circuit breaker per WeChat API;
- `base`       — what every client does: configurable hosts, stored tokens, refresh-once, counting, redaction;
- `work`       — WeChat Work (企业微信): gettoken, departments, members, agents;
- `work_oauth` — WeChat Work OAuth: who opened a radar app's page;
- `component`  — the third-party platform: component and authorizer clients, push decryption, the
                 authorization page and the official accounts' OAuth;
- `wxa`        — mini-program code management and mini-program codes, through the platform;
- `sandbox`    — the fake WeChat server the tests, the benchmarks and the demo run against.
"""
