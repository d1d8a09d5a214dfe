"""URLs of the extranet."""

app_name = "extranet"
urlpatterns: list = []
