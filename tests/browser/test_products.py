"""Products (2.x) with the chunked image upload (3.1)."""

import io
import os

from PIL import Image

from tests.browser.conftest import DEMO_PASSWORD, at, field, sign_in


def noisy_png(width: int, height: int) -> bytes:
    """A PNG larger than one 1 MiB chunk (random pixels do not compress)."""
    out = io.BytesIO()
    Image.frombytes("RGB", (width, height), os.urandom(width * height * 3)).save(out, "PNG")
    return out.getvalue()


def test_upload_a_cover_and_see_it_in_the_product_list(page, live_server):
    sign_in(page, live_server, live_server.demo_login, DEMO_PASSWORD)
    page.locator("[data-test=side-menu]").get_by_text("公司产品").click()
    page.wait_for_url(at("/products/company"))
    page.locator("[data-test=product-add]").click()
    page.wait_for_url(at("/products/company/0"))

    field(page, "product-name").fill("浏览器上传产品")
    field(page, "product-price").fill("280-1280")
    field(page, "product-reason").fill("封面分片上传")
    big = noisy_png(800, 600)  # ~1.4 MB: two chunks
    assert len(big) > 1024 * 1024
    upload = page.locator("[data-test=product-cover-upload]")
    upload.locator("[data-test=upload-input]").set_input_files(
        [{"name": "cover.png", "mimeType": "image/png", "buffer": big}]
    )
    upload.locator("[data-test=upload-thumb]").wait_for()
    # A file the browser refuses before sending anything: its own error row.
    upload.locator("[data-test=upload-input]").set_input_files(
        [{"name": "notes.txt", "mimeType": "text/plain", "buffer": b"hello"}]
    )
    assert "只能上传" in upload.locator("[data-test=upload-error]").inner_text()
    page.locator("[data-test=product-save]").click()
    page.wait_for_url(at("/products/company"))

    row = page.locator("[data-test=product-table] .el-table__row", has_text="浏览器上传产品")
    row.wait_for()
    cover = row.locator("[data-test=product-cover] img")
    cover.wait_for()
    src = cover.get_attribute("src")
    assert "/statics/" in src
    # The stored picture is served and is the uploaded image.
    response = page.request.get(live_server.base + src)
    assert response.ok and response.body()[:4] == b"\x89PNG"
    assert page.evaluate("(img) => img.naturalWidth", cover.element_handle()) == 800

    # 下架 moves it to the other tab.
    row.get_by_text("下架").click()
    page.locator(".el-message-box").get_by_role("button", name="确定").click()
    row.wait_for(state="detached")
    page.locator("[data-test=product-tabs]").get_by_text("已下架").click()
    page.locator("[data-test=product-table] .el-table__row", has_text="浏览器上传产品").wait_for()
