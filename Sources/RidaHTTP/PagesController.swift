import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import RidaSurvey

/// The kiosk page, the device set-up page, the live display, their assets and the OpenAPI document:
/// every byte served by Rida itself (a kiosk has no internet), from files built into the binary.
struct PagesController: Sendable {
    let settings: ServiceSettings

    /// Pages load scripts and styles from Rida only, and talk to Rida only.
    static let contentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'"

    func addRoutes(to router: Router<RidaRequestContext>) {
        let kiosk = Self.kioskPage(settings)
        router.get("/") { _, _ in
            Response(status: .seeOther, headers: [.location: "/kiosk"])
        }
        router.get("/kiosk") { _, _ in Self.page(kiosk) }
        router.get("/kiosk/setup") { _, _ in Self.page(Self.text(PackageResources.setup_html)) }
        router.get("/live/{centre}") { _, _ in Self.page(Self.text(PackageResources.live_html)) }
        router.get("/assets/kiosk.js") { _, _ in Self.asset(PackageResources.kiosk_js, "text/javascript; charset=utf-8") }
        router.get("/assets/live.js") { _, _ in Self.asset(PackageResources.live_js, "text/javascript; charset=utf-8") }
        router.get("/assets/rida.css") { _, _ in Self.asset(PackageResources.rida_css, "text/css; charset=utf-8") }
        router.get("/v1/openapi.json") { _, _ in
            var response = Self.asset(PackageResources.openapi_json, "application/json; charset=utf-8")
            response.headers[.accessControlAllowOrigin] = "*"
            return response
        }
    }

    /// The kiosk page with the questionnaire and the channel names built in, so it renders without a request.
    static func kioskPage(_ settings: ServiceSettings) -> String {
        struct Boot: Encodable {
            var survey: Questionnaire
            var channels: ChannelCatalog
            /// Before this day a device's clock is obviously wrong (`survey.earliestDate`).
            var earliestDate: String?
        }
        let json = Escaping.scriptJSON(String(decoding: JSONBody.data(Boot(survey: settings.validator.questionnaire, channels: settings.channels, earliestDate: settings.validator.earliestDate?.iso8601)), as: UTF8.self))
        return text(PackageResources.kiosk_html).replacingOccurrences(of: "{{BOOT_JSON}}", with: json)
    }

    static func text(_ bytes: [UInt8]) -> String {
        String(decoding: bytes, as: UTF8.self)
    }

    static func page(_ html: String) -> Response {
        var response = JSONBody.text(html, contentType: "text/html; charset=utf-8")
        response.headers[.contentSecurityPolicy] = contentSecurityPolicy
        response.headers[.cacheControl] = "no-cache"
        response.headers[HTTPField.Name("X-Content-Type-Options")!] = "nosniff"
        return response
    }

    static func asset(_ bytes: [UInt8], _ type: String) -> Response {
        var response = Response(status: .ok, headers: [.contentType: type], body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
        response.headers[.cacheControl] = "no-cache"
        response.headers[HTTPField.Name("X-Content-Type-Options")!] = "nosniff"
        return response
    }
}
