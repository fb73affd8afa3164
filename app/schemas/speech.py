"""17.x speech scripts: camelCase fields, exactly as the document names them."""

from marshmallow import fields

from app.schemas.base import BaseSchema, PageSchema
from app.schemas.fields import LocalDateTime, text


class SpeechQuerySchema(PageSchema):
    company_id = fields.Integer(load_default=None, metadata={"label": "公司ID"})
    group_id = fields.Integer(load_default=None, data_key="talkGroupId", metadata={"label": "归属分组"})


class TalkGroupSchema(BaseSchema):
    """17.1: groupName and userProfile (an admin user ID) required; companyName (a company ID) optional."""

    name = text("分组名称", 64, required=True, data_key="groupName")
    owner_id = fields.Integer(required=True, data_key="userProfile", metadata={"label": "归属用户"})
    company_id = fields.Integer(load_default=None, data_key="companyName", metadata={"label": "归属公司"})


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

    content = text("话术内容", 5000, required=True, data_key="contentWords")
    group_id = fields.Integer(required=True, data_key="talkGroupName", metadata={"label": "归属分组"})


class SpeechDetailOutSchema(BaseSchema):
    id = fields.Integer()
    contentWords = fields.String(attribute="content")
    sendNum = fields.Integer(attribute="send_num")
    talkGroupName = fields.String(attribute="group.name")
    talkGroupId = fields.Integer(attribute="group_id")
    createDate = LocalDateTime(attribute="create_date")
