"""17.x speech scripts: camelCase fields, exactly as the document names them."""

from marshmallow import fields

from app.schemas.base import BaseSchema, LocalDateTime, PageSchema
from app.schemas.plugin import text


class SpeechQuerySchema(PageSchema):
    company_id = fields.Integer(load_default=None, metadata={"label": "公司ID"})
    talkGroupId = fields.Integer(load_default=None, metadata={"label": "归属分组"})


class TalkGroupSchema(BaseSchema):
    """17.1: groupName and userProfile (an admin user ID) required; companyName (a company ID) optional."""

    groupName = text("分组名称", 64, required=True)
    userProfile = fields.Integer(required=True, metadata={"label": "归属用户"})
    companyName = fields.Integer(load_default=None, metadata={"label": "归属公司"})


class TalkGroupOutSchema(BaseSchema):
    id = fields.Integer()
    groupName = fields.String(attribute="name")
    userProfile = fields.Function(lambda g: g.owner.username if g.owner else None)
    userProfileId = fields.Integer(attribute="owner_id")
    companyName = fields.String(attribute="company.name")
    companyId = fields.Integer(attribute="company_id")
    createDate = LocalDateTime(attribute="create_date")


class SpeechDetailSchema(BaseSchema):
    """17.5/17.6: contentWords and talkGroupName (the group's ID) both required."""

    contentWords = text("话术内容", 5000, required=True)
    talkGroupName = fields.Integer(required=True, metadata={"label": "归属分组"})


class SpeechDetailOutSchema(BaseSchema):
    id = fields.Integer()
    contentWords = fields.String(attribute="content")
    sendNum = fields.Integer(attribute="send_num")
    talkGroupName = fields.String(attribute="group.name")
    talkGroupId = fields.Integer(attribute="group_id")
    createDate = LocalDateTime(attribute="create_date")
