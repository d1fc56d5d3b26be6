def test_smoke(app, client, login, team, make_item, frozen_clock):
    owner = team["owner"]
    login(client, owner)
    for url in ["/service/", "/service/feedback/", "/service/complaint/", "/service/case/", "/service/report",
                "/service/feedback/new", "/service/complaint/new", "/service/case/new", "/"]:
        r = client.get(url)
        assert r.status_code == 200, (url, r.data[:3000])
    item = make_item("complaint", owner, category="delivery")
    r = client.get(f"/service/complaint/{item.id}")
    assert r.status_code == 200, r.data[:3000]
    r = client.post("/service/complaint/new", data={"subject": "x", "channel": "phone", "priority": "high", "status": "new", "owner": "None", "account": "None", "contact": "None", "satisfaction": "None", "category": "delivery", "severity": "minor"})
    assert r.status_code == 302, r.data.decode()[:5000]
    login(client, team["admin"])
    r = client.get("/service/settings")
    assert r.status_code == 200, r.data[:3000]
    c2 = app.test_client()
    r = c2.get("/service/public")
    assert r.status_code == 200, r.data[:3000]
