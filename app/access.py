"""The catalogue of access rules and the built-in roles' rule sets (seeded by `flask seed`).

Each child rule's url_path is the name of the admin blueprint (the URL segment) it guards,
so a new endpoint group needs one new row here and nothing else.
"""

# (parent name, parent url_path, [(child name, child url_path), ...])
RULE_TREE = [
    ("账号", "account_manage", [("登录账号", "account")]),
    ("首页统计", "dashboard", [("数据统计", "home_page")]),
    (
        "用户管理",
        "user_manage",
        [("企业用户", "user"), ("后台用户", "admin_userprofile"), ("客户", "customer")],
    ),
    ("权限管理", "permission_manage", [("权限条目", "access_rules"), ("角色管理", "admin_role")]),
    ("公司管理", "company_manage", [("公司", "company")]),
    ("产品管理", "product_manage", [("产品与反馈", "product")]),
    ("官网管理", "website_manage", [("官网", "website"), ("官网模板", "website_template")]),
    (
        "插件管理",
        "plugin_manage",
        [("名片插件", "plugin_mingpian"), ("活动报名", "plugin_report"), ("商品", "plugin_goods")],
    ),
    ("文章管理", "article_manage", [("文章", "article"), ("文章标签", "article_tag")]),
    (
        "小程序管理",
        "xcx_manage",
        [
            ("小程序授权", "xcx_auth_process"),
            ("小程序授权链接", "open_weixin"),
            ("小程序列表", "xcx_app"),
            ("代小程序发版", "dai_xcx"),
        ],
    ),
    (
        "公众号管理",
        "gzh_manage",
        [("公众号授权", "gzh_auth_process"), ("公众号授权链接", "open_weixin_gongzhonghao")],
    ),
    (
        "话术管理",
        "speech_manage",
        [
            ("话术分组查询", "talkGroupManageShow"),
            ("话术分组管理", "talkGroupManageOper"),
            ("话术详情查询", "speechDetailsManageShow"),
            ("话术详情管理", "speechDetailsManageOper"),
        ],
    ),
    ("后台任务", "job_manage", [("任务状态", "jobs")]),
    ("日志管理", "log_manage", [("操作日志", "operation_log")]),
]

ALL_CHILD_RULES = [path for _name, _path, children in RULE_TREE for _cname, path in children]

# operation_log: role 2 sees its company's entries; role 3 none (not in _MEMBER_RULES).
_ADMIN_EXCLUDED = {"access_rules", "admin_role", "website_template", "xcx_app", "dai_xcx"}
_MEMBER_RULES = {
    "account",
    "home_page",
    "product",
    "website",
    "plugin_mingpian",
    "plugin_report",
    "plugin_goods",
    "article",
    "article_tag",
    "talkGroupManageShow",
    "speechDetailsManageShow",
    "jobs",
}

# role id → (name, child url_paths); a parent rule is granted with any of its children.
ROLE_RULES = {
    1: ("超级管理员", list(ALL_CHILD_RULES)),
    2: ("管理员", [p for p in ALL_CHILD_RULES if p not in _ADMIN_EXCLUDED]),
    3: ("普通用户", [p for p in ALL_CHILD_RULES if p in _MEMBER_RULES]),
}


def required_rule(endpoint: str, view) -> str:
    """The url_path of the rule guarding an endpoint: the view's marker (app.auth.access_rule), else its
    blueprint's name."""
    return getattr(view, "access_rule", None) or endpoint.rsplit(".", 1)[0].rsplit(".", 1)[-1]
