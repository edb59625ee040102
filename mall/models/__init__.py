from mall.models.audit import AuditLog
from mall.models.catalogue import Category, Product, ProductImage, ProductTag, Sku
from mall.models.security import PersonalDataExport, StaffSession
from mall.models.sheet_jobs import SheetJob, SheetJobBatch
from mall.models.shop import ShopSettings

__all__ = [
    "AuditLog",
    "Category",
    "PersonalDataExport",
    "Product",
    "ProductImage",
    "ProductTag",
    "SheetJob",
    "SheetJobBatch",
    "ShopSettings",
    "Sku",
    "StaffSession",
]
