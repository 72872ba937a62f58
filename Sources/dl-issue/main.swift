import DL1CommandSupport
import DL1IssueCommand

CommandRunner.main(DLIssue.self)
