"""The only code that talks to WeChat, over wechatpy (SPEC §8).

- `errors`  — WeChatError (an ApiError: code = errcode, msg = errmsg) and the one translation into it;
- `tokens`  — the shared token store: Redis, or the `wechat_token` table without Redis;
- `base`    — what every client does: configurable hosts, stored tokens, refresh-once, counting, redaction;
- `work`    — WeChat Work (企业微信): gettoken, departments, members, agents;
- `sandbox` — the fake WeChat server the tests, the benchmark and the demo run against.

The third-party platform (component, authorizers, mini-program code) adds its own module beside `work`.
"""
