"""Mini-program API routes of the catalogue (mounted under /api/v1/)."""

from django.urls import path

from mall.api.catalogue import CategoryTreeApi, HomeScreenApi, ProductDetailApi, ProductListApi
from mall.api.system import PingApi, ServerTimeApi

urlpatterns = [
    path("categories/tree", CategoryTreeApi.as_view(), name="category-tree"),
    path("products", ProductListApi.as_view(), name="product-list"),
    path("products/<int:product_id>", ProductDetailApi.as_view(), name="product-detail"),
    path("home", HomeScreenApi.as_view(), name="home"),
    path("ping", PingApi.as_view(), name="ping"),
    path("server-time", ServerTimeApi.as_view(), name="server-time"),
]
