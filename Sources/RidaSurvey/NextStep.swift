/// What a person can do about a failure, named by the library and told by each shell in its own terms: the command
/// line appends its command (`rida report list shows them`) where it prints the error, the HTTP service sends the
/// library's sentence alone. So no library sentence names a command of the command line.
public enum NextStep: Sendable, Hashable {
    /// There is no database yet: import responses or create the demo.
    case createDatabase
    /// See the registry's entities.
    case listEntities
    /// Register the centres of an entity.
    case registerCentres(entity: String)
    /// Register a centre, as a headquarters centre with its entity and channels.
    case registerCentre(String)
    /// Say that a centre is a headquarters centre.
    case registerHeadquarters(String)
    /// Register an entity.
    case registerEntity(String)
    /// Give a centre the entity, kind and channels the registry lacks.
    case completeCentre(String)
    /// Register an entity's remote centre.
    case registerRemoteCentre(entity: String)
    /// Register the entities serving at a centre.
    case registerServingEntities(centre: String)
    /// Import an entity's Tawasul records.
    case importTawasul
    /// See the saved reports.
    case listReports
    /// Publish a report, which freezes its content and page.
    case publishReport(Int64)
    /// Start a correction of a published report.
    case correctReport(Int64)
    /// Record an action's status with a note.
    case dropActionWithNote
    /// See a report's actions.
    case listActions
    /// Record an action's status on the report that carries it over.
    case recordAction(report: Int64, action: Int64)
    /// Open an assessment.
    case openAssessment
    /// See the open assessments.
    case listAssessments
    /// See the imports and their numbers.
    case listImports
    /// Copy into a database that holds nothing yet: a new SQLite file, or an empty PostgreSQL database.
    case copyIntoEmptyDatabase
}
