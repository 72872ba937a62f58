import DL1HTTPServer
import HTTPTypes
import Hummingbird

/// The counter's web page: plain HTML, CSS and JavaScript from `Page/`, compiled into the
/// binary (no files to install, nothing from another origin), served with headers that let
/// it load only itself and never be framed.
enum CounterPage {
    struct Asset: Sendable {
        let path: String
        let resource: CachedResource
    }

    /// The page may use the camera, call its own origin, and load nothing from anywhere else.
    static let contentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:; "
        + "media-src 'self' blob: mediastream:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"

    /// The page's files: path, bytes, media type.
    private static let files: [(path: String, bytes: [UInt8], type: String)] = [
        ("/", PackageResources.index_html, "text/html; charset=utf-8"),
        ("/app.js", PackageResources.app_js, "text/javascript; charset=utf-8"),
        ("/app.css", PackageResources.app_css, "text/css; charset=utf-8"),
    ]

    static let paths = files.map(\.path)

    /// The page's files, last modified when the service started. They are revalidated on every
    /// load (an upgraded service serves its new page at once); the ETag makes that a 304.
    static func assets(startedAt: Int64) -> [Asset] {
        files.map { Asset(path: $0.path, resource: CachedResource(bytes: $0.bytes, contentType: $0.type, lastModified: startedAt, maxAge: nil)) }
    }

    static func response(_ asset: Asset, to request: Request, now: Int64) -> Response {
        var response = asset.resource.response(to: request, now: now)
        response.headers[.contentSecurityPolicy] = contentSecurityPolicy
        response.headers[xFrameOptions] = "DENY"
        response.headers[permissionsPolicy] = "camera=(self), microphone=(), geolocation=()"
        response.headers[crossOriginOpenerPolicy] = "same-origin"
        return response
    }

    private static let xFrameOptions = HTTPField.Name("X-Frame-Options")!
    private static let permissionsPolicy = HTTPField.Name("Permissions-Policy")!
    private static let crossOriginOpenerPolicy = HTTPField.Name("Cross-Origin-Opener-Policy")!
}
