from mall.models.audit import AuditLog
from mall.models.catalogue import Category, Product, ProductImage, ProductTag, Sku
from mall.models.duty import AlertChannel, AlertDeliveryStatus, DutyShift, StaffAlertDelivery
from mall.models.security import PersonalDataExport, StaffSession
from mall.models.sheet_jobs import SheetJob, SheetJobBatch
from mall.models.shop import ShopSettings

__all__ = [
    "AlertChannel",
    "AlertDeliveryStatus",
    "AuditLog",
    "Category",
    "DutyShift",
    "PersonalDataExport",
    "Product",
    "ProductImage",
    "ProductTag",
    "SheetJob",
    "SheetJobBatch",
    "ShopSettings",
    "Sku",
    "StaffAlertDelivery",
    "StaffSession",
]
