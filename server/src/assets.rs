//! Static files: the browser bundle under `/pkg` and the files of `public/`, answered by a
//! file service before the app's routing, sessions and page headers, with brotli and gzip
//! written once at build time (`server precompress`) and sent as they are.

use axum::http::{header, HeaderValue, Request};
use axum::middleware::Next;
use axum::response::Response;
use axum::Router;
use std::io::Write;
use std::path::Path;
use tower_http::services::{ServeDir, ServeFile};

/// The files of `public/` (copied to the site root by cargo-leptos).
pub const PUBLIC_FILES: &[&str] = &["favicon.svg", "robots.txt"];

/// What is worth compressing ahead: text and WebAssembly.
const COMPRESSIBLE: &[&str] = &["js", "wasm", "css", "svg", "txt"];

/// The routes of the static files.
pub fn router(site_root: &str, pkg_dir: &str) -> Router {
    let root = Path::new(site_root);
    let pkg = ServeDir::new(root.join(pkg_dir)).precompressed_br().precompressed_gzip();
    let mut r = Router::new().nest_service(&format!("/{pkg_dir}"), pkg);
    for f in PUBLIC_FILES {
        r = r.route_service(&format!("/{f}"), ServeFile::new(root.join(f)).precompressed_br().precompressed_gzip());
    }
    let root = std::sync::Arc::new(root.to_path_buf());
    r.layer(axum::middleware::from_fn_with_state(root, cache_headers))
}

/// A file whose name carries its content's hash never changes: a year, immutable. Any other
/// is checked again on each use (`no-cache`), with an ETag of its size and modification time
/// (as web servers commonly make them), answered 304 while it holds.
async fn cache_headers(
    axum::extract::State(root): axum::extract::State<std::sync::Arc<std::path::PathBuf>>,
    req: Request<axum::body::Body>,
    next: Next,
) -> Response {
    let path = req.uri().path().to_owned();
    let hashed = is_hashed(&path);
    let etag = if hashed { None } else { etag_of(&root, &path).await };
    let unchanged = etag.as_ref().is_some_and(|tag| {
        req.headers()
            .get_all(header::IF_NONE_MATCH)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .any(|t| t.trim() == "*" || t.trim() == tag.to_str().unwrap_or_default())
    });
    let mut res = if unchanged {
        let mut r = Response::new(axum::body::Body::empty());
        *r.status_mut() = axum::http::StatusCode::NOT_MODIFIED;
        r
    } else {
        next.run(req).await
    };
    let found = res.status().is_success() || res.status() == axum::http::StatusCode::NOT_MODIFIED;
    let h = res.headers_mut();
    let policy = if hashed { "public, max-age=31536000, immutable" } else { "no-cache" };
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(policy));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    if let Some(tag) = etag.filter(|_| found) {
        h.insert(header::ETAG, tag);
    }
    res
}

/// `W/"<size>-<modified, ns>"` of the file a path names under the site root, if it is one
/// (weak: the brotli, gzip and plain forms of a file share it).
async fn etag_of(root: &Path, path: &str) -> Option<HeaderValue> {
    let rel = path.trim_start_matches('/');
    if rel.split('/').any(|p| p.is_empty() || p == "." || p == ".." || p.contains('\\')) {
        return None;
    }
    let meta = tokio::fs::metadata(root.join(rel)).await.ok().filter(|m| m.is_file())?;
    let modified = meta.modified().ok()?.duration_since(std::time::UNIX_EPOCH).ok()?.as_nanos();
    HeaderValue::from_str(&format!("W/\"{:x}-{:x}\"", meta.len(), modified)).ok()
}

/// `name.<hash>.ext`, as cargo-leptos's `hash-files` names them: a part of 16 or more
/// base64url characters (letters, digits, - and _) between dots.
pub fn is_hashed(path: &str) -> bool {
    let file = path.rsplit('/').next().unwrap_or_default();
    let parts: Vec<&str> = file.split('.').collect();
    parts.len() >= 3
        && parts[1..parts.len() - 1]
            .iter()
            .any(|p| p.len() >= 16 && p.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'))
}

/// Writes `<file>.br` (brotli at its best level) and `<file>.gz` (gzip at its best) beside
/// every compressible file under `dir`, for the file service to send as they are. Returns
/// (file, raw, gzip, brotli) sizes.
pub fn precompress(dir: &Path) -> std::io::Result<Vec<(String, u64, u64, u64)>> {
    let mut out = Vec::new();
    let mut entries: Vec<_> = std::fs::read_dir(dir)?.collect::<Result<_, _>>()?;
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let path = e.path();
        let ext = path.extension().and_then(|x| x.to_str()).unwrap_or_default();
        if !path.is_file() || !COMPRESSIBLE.contains(&ext) {
            continue;
        }
        let (gz_path, br_path) = (path.with_extension(format!("{ext}.gz")), path.with_extension(format!("{ext}.br")));
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_string();
        // Already done for this file as it is (brotli at its best level takes seconds).
        let modified = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
        if modified(&br_path) >= modified(&path) && modified(&gz_path) >= modified(&path) && br_path.exists() && gz_path.exists() {
            let size = |p: &Path| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0);
            out.push((name, size(&path), size(&gz_path), size(&br_path)));
            continue;
        }
        let raw = std::fs::read(&path)?;
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        gz.write_all(&raw)?;
        let gz = gz.finish()?;
        let mut br = Vec::new();
        {
            let params = brotli::enc::BrotliEncoderParams { quality: 11, lgwin: 24, ..Default::default() };
            brotli::BrotliCompress(&mut raw.as_slice(), &mut br, &params)?;
        }
        std::fs::write(&gz_path, &gz)?;
        std::fs::write(&br_path, &br)?;
        out.push((name, raw.len() as u64, gz.len() as u64, br.len() as u64));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashed_names_are_told_from_plain_ones() {
        assert!(is_hashed("/pkg/sms.2f9a7c01d3e4b5a6c7d8e9f0.wasm"));
        assert!(is_hashed("/pkg/sms.Xy-9_kQ2mN4pR7sT1uV3wA.js.br"));
        assert!(!is_hashed("/pkg/sms.wasm"));
        assert!(!is_hashed("/pkg/sms_bg.wasm.d.ts"));
        assert!(!is_hashed("/favicon.svg"));
    }

    #[test]
    fn precompressed_files_decompress_to_the_original() {
        let dir = std::env::temp_dir().join(format!("sms-precompress-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let text = "function hydrate() { return 42; }\n".repeat(200);
        std::fs::write(dir.join("app.js"), &text).unwrap();
        std::fs::write(dir.join("notes.d.ts"), "x").unwrap();
        let sizes = precompress(&dir).unwrap();
        assert_eq!(sizes.len(), 1, "only what is worth it: {sizes:?}");
        let (name, raw, gz, br) = sizes[0].clone();
        assert_eq!((name.as_str(), raw), ("app.js", text.len() as u64));
        assert!(br < gz && gz < raw / 10, "{raw} {gz} {br}");
        let mut back = String::new();
        std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(std::fs::File::open(dir.join("app.js.gz")).unwrap()), &mut back).unwrap();
        assert_eq!(back, text);
        let mut back = Vec::new();
        brotli::BrotliDecompress(&mut std::fs::File::open(dir.join("app.js.br")).unwrap(), &mut back).unwrap();
        assert_eq!(back, text.as_bytes());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
