from members.models.address import Address
from members.models.member import Member
from members.models.messages import PUSHES_PER_MONTH, Message, PushAllowance, SubscribeTemplate
from members.models.points import PointsEntry

__all__ = ["PUSHES_PER_MONTH", "Address", "Member", "Message", "PointsEntry", "PushAllowance", "SubscribeTemplate"]
