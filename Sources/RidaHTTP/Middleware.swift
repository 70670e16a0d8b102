import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Logging
import RidaSurvey

/// Turns every error into a JSON answer with a machine code and a sentence, counts the request,
/// and writes one log line per request: method, route (the path template, never the query or body),
/// status, duration and the key's id and label. The request id is in the logger's metadata (`hb.request.id`).
/// Comment text and keys never reach a log line.
struct ServiceMiddleware: RouterMiddleware {
    typealias Context = RidaRequestContext
    let metrics: Metrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        var response: Response
        do {
            response = try await next(request, context)
        } catch {
            let apiError = Self.apiError(for: error, context: context)
            response = try apiError.response(from: request, context: context)
        }
        response.headers[.init("X-Request-Id")!] = context.id
        let elapsed = ContinuousClock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let route = context.endpointPath ?? "NotFound"
        metrics.recordRequest(route: route, method: request.method.rawValue, status: response.status.code, seconds: seconds)
        let level: Logger.Level = response.status.code >= 500 ? .error : .info
        if context.logger.logLevel <= level {
            var metadata: Logger.Metadata = [
                "http.method": "\(request.method.rawValue)",
                "http.route": "\(route)",
                "http.status": "\(response.status.code)",
                "http.duration_ms": "\(Double(Int(seconds * 100_000)) / 100)",
            ]
            if let key = context.caller.key {
                metadata["key.id"] = "\(key.id)"
                metadata["key.label"] = "\(key.label)"
            }
            context.logger.log(level: level, "request", metadata: metadata)
        }
        return response
    }

    /// Every Rida error through the one table (`APIError(_:)`, `httpStatus(for:)`); special cases only for what is not
    /// Rida's: Hummingbird's and NIO's errors, a client gone before its body arrived.
    static func apiError(for error: any Error, context: Context) -> APIError {
        switch error {
        case let error as APIError:
            return error
        case let error as any RidaFailure:
            switch error.kind {
            case .unavailable:
                context.logger.error("database error", metadata: ["error": "\(error.description)"])
            case .internalFailure:
                // Only the error's type is logged: its text could carry a response's contents.
                context.logger.error("internal failure", metadata: ["error.type": "\(type(of: error))", "error.code": "\(error.code)"])
            default:
                break
            }
            return APIError(error)
        case let error as ClientGone:
            context.logger.warning("the client closed the connection before its request's body arrived", metadata: ["error.type": "\(error.reason)"])
            return APIError(HTTPResponse.Status(code: 499, reasonPhrase: "Client Closed Request"), "client_closed_request",
                            "The connection closed before the whole body arrived; nothing was stored.")
        case is NIOTooManyBytesError:
            return APIError(.contentTooLarge, "body_too_large", "The body is larger than this endpoint accepts: send less.")
        case let error as HTTPError:
            switch error.status {
            case .notFound:
                return .notFound("There is nothing at this path: see /v1/openapi.json for the API's paths.")
            case .contentTooLarge:
                return APIError(.contentTooLarge, "body_too_large", "The body is larger than this endpoint accepts: send less.")
            case .badRequest:
                return APIError(.badRequest, "bad_request", error.body ?? "The request could not be read: check its syntax.")
            default:
                return APIError(error.status, "http_\(error.status.code)", error.body ?? error.status.reasonPhrase)
            }
        case let error as any HTTPResponseError:
            return APIError(error.status, "http_\(error.status.code)", error.status.reasonPhrase)
        default:
            // Only the error's type is logged: its text could carry a response's contents.
            context.logger.error("unexpected error", metadata: ["error.type": "\(type(of: error))"])
            return APIError(.internalServerError, "internal",
                            "Rida could not answer this request; the administrator can find it in the log by request id \(context.id).")
        }
    }
}
