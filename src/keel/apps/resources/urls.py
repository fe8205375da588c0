from . import urls_money, urls_people, urls_stock, urls_workload

app_name = "resources"
urlpatterns = [
    *urls_people.urlpatterns,
    *urls_workload.urlpatterns,
    *urls_money.urlpatterns,
    *urls_stock.urlpatterns,
]
