from idbridge.core.paging import filter_query


def test_page_links_keep_filters_url_encoded_and_drop_empty_ones():
    query = filter_query({"q": "R&D a+b@x #1", "state": "", "outcome": None, "n": 2})
    assert query == "q=R%26D+a%2Bb%40x+%231&n=2"
