from districts.models import Province


def test_region_tree_loaded_for_every_test(db):
    assert Province.objects.count() == 38
