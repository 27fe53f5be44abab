"""Map engine refusals and HTTP errors to a clear page (or JSON under /api) — never a 500 for bad input."""

from flask import jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from quorum.core.errors import QuorumError

HTTP_TEXT = {400: "请求有误", 401: "请先登录", 403: "无权访问", 404: "页面不存在", 405: "不支持此操作",
             409: "操作冲突", 413: "上传的文件过大", 422: "输入有误", 500: "系统错误"}


def wants_json() -> bool:
    return request.path.startswith("/api/")


def init_app(app) -> None:
    @app.errorhandler(QuorumError)
    def engine_refusal(exc: QuorumError):
        if wants_json():
            return jsonify(error=exc.key, message=str(exc)), exc.http_status
        return render_template("error.html", status=exc.http_status, message=str(exc), key=exc.key), exc.http_status

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        status = exc.code or 500
        text = HTTP_TEXT.get(status, exc.name)
        if status == 400 and "CSRF" in (exc.description or ""):
            text = "页面已过期，请刷新后重新提交"
        if wants_json():
            return jsonify(error=exc.name.lower().replace(" ", "_"), message=text), status
        return render_template("error.html", status=status, message=text, key=exc.name), status
