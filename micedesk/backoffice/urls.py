"""URLs of the backoffice."""

app_name = "backoffice"
urlpatterns: list = []
