from members.models.address import Address
from members.models.member import Member
from members.models.points import PointsEntry

__all__ = ["Address", "Member", "PointsEntry"]
