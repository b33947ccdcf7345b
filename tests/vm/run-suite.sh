# Guest side of run-tests.sh: run-suite.sh CASE_TIMEOUT CASE...
export CASE_TIMEOUT=$1
shift
exec sh /vm/run-cases.sh "$@"
