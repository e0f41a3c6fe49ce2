"""The partner API under /api/."""

urlpatterns = []
