"""English for the Chinese msgids lane content2 added (the lead fills the catalogue from it)."""

EN = {
    "设为专题": "Make it a topic",
    "专题设置": "Topic settings",
    "社区数据": "Community figures",
    "新帖": "New posts",
    "点赞": "Likes",
    "已发布 %(published)d · 待审核 %(pending)d · 已驳回 %(rejected)d · 已删除 %(deleted)d": (
        "%(published)d published · %(pending)d pending · %(rejected)d rejected · %(deleted)d deleted"
    ),
    "人工审核": "Manual review",
    "通过 / 驳回；另下架 %(n)d 篇": "Approved / rejected; %(n)d more taken down",
    "期间新增的点赞": "Likes given in the period",
    "评论": "Comments",
    "其中已发布 %(n)d 条": "%(n)d of them published",
    "收藏": "Favourites",
    "期间新增的收藏": "Favourites added in the period",
    "优质内容奖励": "Quality-content awards",
    "%(n)d 积分": "%(n)d points",
    "%(awards)d 篇获奖，%(reversed)d 篇已撤回": "%(awards)d posts awarded, %(reversed)d reversed",
    "%(start)s 至 %(end)s（北京时间）提交的帖子、新增的点赞评论收藏、审核与奖励。": (
        "Posts submitted, likes, comments and favourites added, reviews and awards from %(start)s to %(end)s "
        "(Beijing time)."
    ),
    "去审核": "Go to review",
    "近 %(n)s 天": "Last %(n)s days",
    "近 %(days)s 天每日新帖与点赞": "New posts and likes per day, last %(days)s days",
    "活跃作者": "Top authors",
    "作者": "Author",
    "发帖": "Posts",
    "获赞": "Likes received",
    "这段时间还没有人发帖。": "Nobody posted in this period.",
    "各话题发帖": "Posts per topic",
    "还没有话题。": "No topics yet.",
}
