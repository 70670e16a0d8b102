/// What kind of failure an error is. Each shell reports a kind its own way, in one place: RidaHTTP's error table
/// maps a kind to an HTTP status, the command line prints the sentence and exits with a non-zero status.
public enum FailureKind: String, Sendable, CaseIterable {
    /// The input is wrong; the sentence (and the problems, when there are several) say where and why.
    case invalid
    /// What was asked for does not exist: an unknown centre, report, assessment or key.
    case notFound
    /// The request clashes with what is stored: a response id with other content, a report already published.
    case conflict
    /// No credentials, or credentials Rida does not know.
    case unauthorized
    /// Credentials that may not do this.
    case forbidden
    /// More than Rida accepts at once.
    case tooLarge
    /// Too many requests from one key.
    case rateLimited
    /// The database or another dependency cannot be used now; trying again later may succeed.
    case unavailable
    /// A fault in Rida itself.
    case internalFailure
}

/// An error Rida's shells know how to report: a sentence a person can act on (`description`), a kind, and a machine
/// code (snake_case, stable for API clients). Every error type Rida defines conforms, so none reaches a client as an
/// unexplained failure.
public protocol RidaFailure: Error, Sendable, CustomStringConvertible {
    var kind: FailureKind { get }
    /// A stable machine code in snake_case, for example `unknown_centre`.
    var code: String { get }
    /// Every problem of the input, each with its location, when the failure is about several (a file's rows, a
    /// batch's entries); empty otherwise. The shells list them: RidaHTTP as `problems`, the command line one a line.
    var problems: [Problem] { get }
    /// What a person can do about it, when the library knows: the command line names its command for it, the HTTP
    /// service leaves it out. The sentence (`description`) never names a command itself.
    var nextStep: NextStep? { get }
}

extension RidaFailure {
    public var problems: [Problem] { [] }
    public var nextStep: NextStep? { nil }
}
