from tests.webui.conftest import login


def test_login_and_inbox(client, sc):
    assert client.get("/tasks").status_code == 302
    login(client, sc.holder("legal_counsel"))
    page = client.get("/tasks")
    assert page.status_code == 200
    assert "我的待办" in page.get_data(as_text=True)


def test_wrong_password_is_refused(client, sc):
    from tests.webui.conftest import csrf_token
    response = client.post("/login", data={"username": "nobody", "password": "x", "csrf_token": csrf_token(client)})
    assert response.status_code == 401
    assert "用户名或密码错误" in response.get_data(as_text=True)
