"""Topic pages for the mini-program (F25): the list of the shop's 专题.

``GET topics`` answers the published topics listed now, in the merchant's order, as cards
(cover, title, subtitle). A topic itself is a campaign page: the mini-program opens it with
``GET pages/{slug}`` (every block resolved, the guide block's product cards included).
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from marketing.selectors.topics import topic_list_data


class TopicCardSerializer(serializers.Serializer):
    class Meta:
        ref_name = "TopicCard"

    id = serializers.IntegerField(help_text="the page's id (orders from it carry src topic:<id>)")
    slug = serializers.CharField(help_text="open it with GET pages/{slug}")
    title = serializers.CharField()
    subtitle = serializers.CharField(allow_blank=True)
    cover = serializers.CharField(allow_blank=True, help_text="picture URL, https:// or /media/…; may be empty")
    share_title = serializers.CharField()
    published_at = serializers.DateTimeField(allow_null=True)


class TopicListApi(APIView):
    """The topics listed now (published, inside their list window), highest sort order first."""

    class OutputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "TopicList"

        results = TopicCardSerializer(many=True)

    @extend_schema(operation_id="topics_list", tags=["pages"], responses={200: OutputSerializer})
    def get(self, request: Request) -> Response:
        return Response({"results": topic_list_data()})
