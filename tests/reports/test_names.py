from bench.reports.names import short_name, short_names


def test_import_paths_become_short_class_names_with_their_library():
    assert short_name("sklearn.svm.SVC") == "SVC (sk)"
    assert short_name("sklearn.ensemble.RandomForestClassifier") == "RF (sk)"
    assert short_name("sklearn.tree.DecisionTreeClassifier") == "DecisionTree (sk)"
    assert short_name("mypkg.models.Net") == "Net (mypkg)"
    assert short_name("random-forest") == "random-forest"


def test_a_clash_keeps_the_full_names():
    names = short_names(["a.b.Net", "c.b.Net", "x.y.Net", "sklearn.svm.SVC"])
    assert names["sklearn.svm.SVC"] == "SVC (sk)"
    assert names["a.b.Net"] == "Net (a)"
    clash = short_names(["a.one.Net", "a.two.Net"])
    assert clash == {"a.one.Net": "a.one.Net", "a.two.Net": "a.two.Net"}
