//! Static files: answered by the file service before sessions and routing, the precompressed
//! copy sent as it is to a browser that takes it, cached for a year when the name carries a
//! hash and revalidated otherwise.

mod common;

use sqlx::PgPool;

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn static_files_are_served_precompressed_with_their_cache_policy(pool: PgPool) {
    let site = std::env::temp_dir().join(format!("sms-site-{}", std::process::id()));
    let pkg = site.join("pkg");
    std::fs::create_dir_all(&pkg).unwrap();
    let js = "export default function hydrate() { return 'the app'; }\n".repeat(100);
    std::fs::write(pkg.join("sms.js"), &js).unwrap();
    std::fs::write(pkg.join("sms.0123456789abcdef0123.wasm"), b"\0asm\x01\0\0\0").unwrap();
    std::fs::write(site.join("favicon.svg"), "<svg xmlns=\"http://www.w3.org/2000/svg\"/>").unwrap();
    server::assets::precompress(&pkg).unwrap();
    // This test binary holds this one test: the setting is read when the app is built.
    unsafe { std::env::set_var("LEPTOS_SITE_ROOT", &site) };
    let app = common::spawn(pool).await;
    let c = reqwest::Client::new();

    let r = c.get(app.url("/pkg/sms.js")).header("accept-encoding", "gzip, deflate, br").send().await.unwrap();
    assert_eq!(r.status(), 200);
    let h = r.headers().clone();
    assert_eq!(h["content-encoding"], "br");
    assert_eq!(h["cache-control"], "no-cache");
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert!(h.get("set-cookie").is_none(), "no session for a file");
    let last_modified = h["last-modified"].clone();
    assert_eq!(r.bytes().await.unwrap().as_ref(), std::fs::read(pkg.join("sms.js.br")).unwrap().as_slice(), "sent as written");

    let r = c.get(app.url("/pkg/sms.js")).header("accept-encoding", "gzip").send().await.unwrap();
    assert_eq!(r.headers()["content-encoding"], "gzip");
    let r = c.get(app.url("/pkg/sms.js")).send().await.unwrap();
    assert!(r.headers().get("content-encoding").is_none());
    assert_eq!(r.text().await.unwrap(), js);
    let r = c.get(app.url("/pkg/sms.js")).header("if-modified-since", last_modified).send().await.unwrap();
    assert_eq!(r.status(), 304, "revalidated, not sent again");

    // An ETag too, the same for every encoding of the file; it answers 304 while the file is
    // as it was, and changes when the file does.
    let etag = h["etag"].to_str().unwrap().to_owned();
    assert!(etag.starts_with("W/\""), "{etag}");
    let r = c.get(app.url("/pkg/sms.js")).header("accept-encoding", "gzip").send().await.unwrap();
    assert_eq!(r.headers()["etag"], etag.as_str());
    let r = c.get(app.url("/pkg/sms.js")).header("if-none-match", &etag).send().await.unwrap();
    assert_eq!(r.status(), 304);
    assert_eq!(r.headers()["etag"], etag.as_str());
    assert_eq!(r.headers()["cache-control"], "no-cache");
    assert!(r.bytes().await.unwrap().is_empty());
    let r = c.get(app.url("/pkg/sms.js")).header("if-none-match", "W/\"1-2\"").send().await.unwrap();
    assert_eq!(r.status(), 200, "another version's tag gets the file");
    std::fs::write(pkg.join("sms.js"), format!("{js}// changed\n")).unwrap();
    let r = c.get(app.url("/pkg/sms.js")).header("if-none-match", &etag).send().await.unwrap();
    assert_eq!(r.status(), 200, "a changed file is sent again");
    assert_ne!(r.headers()["etag"], etag.as_str());

    let r = c.get(app.url("/pkg/sms.0123456789abcdef0123.wasm")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["cache-control"], "public, max-age=31536000, immutable");
    assert_eq!(r.headers()["content-type"], "application/wasm");
    assert!(r.headers().get("etag").is_none(), "a hashed name needs no revalidation");

    let r = c.get(app.url("/favicon.svg")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let r = c.get(app.url("/pkg/missing.js")).send().await.unwrap();
    assert_eq!(r.status(), 404, "a missing file is missing, not a sign-in");
    std::fs::remove_dir_all(&site).unwrap();
}
