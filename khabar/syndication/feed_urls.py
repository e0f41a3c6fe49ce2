"""Feed addresses under /<edition>/."""

edition_urlpatterns = []
