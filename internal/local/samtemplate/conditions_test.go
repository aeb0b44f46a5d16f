package samtemplate

import (
	"strings"
	"testing"
)

const conditionsTemplate = `
Parameters:
  Edge: {Type: String, Default: "false"}
  Region: {Type: String, Default: ""}
Conditions:
  EdgeOn: !Equals [!Ref Edge, "true"]
  HasRegion: !Not [!Equals [!Ref Region, ""]]
  Both: !And [!Condition EdgeOn, !Condition HasRegion]
  Either: !Or [!Condition EdgeOn, {"Condition": "HasRegion"}]
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: ./functions/fn/
      Handler: bootstrap
      Runtime: provided.al2023
      Environment:
        Variables:
          EDGE: !If [EdgeOn, "on", "off"]
          BOTH: !If [Both, !Ref Region, "none"]
          EITHER: !If [Either, "yes", "no"]
`

// Fn::If picks the branch CloudFormation would pick for the same parameters.
func TestConditionsPickTheDeployedBranch(t *testing.T) {
	for _, tc := range []struct {
		params             map[string]string
		edge, both, either string
	}{
		{nil, "off", "none", "no"},
		{map[string]string{"Edge": "true"}, "on", "none", "yes"},
		{map[string]string{"Region": "eu-west-1"}, "off", "none", "yes"},
		{map[string]string{"Edge": "true", "Region": "eu-west-1"}, "on", "eu-west-1", "yes"},
	} {
		tpl, err := Parse([]byte(conditionsTemplate), Options{Parameters: tc.params})
		if err != nil {
			t.Fatalf("%v: %v", tc.params, err)
		}
		env := tpl.Functions["Fn"].Environment
		if env["EDGE"] != tc.edge || env["BOTH"] != tc.both || env["EITHER"] != tc.either {
			t.Errorf("%v: EDGE=%q BOTH=%q EITHER=%q, want %q %q %q", tc.params, env["EDGE"], env["BOTH"], env["EITHER"], tc.edge, tc.both, tc.either)
		}
	}
}

func TestConditionErrorsAreReported(t *testing.T) {
	for name, conds := range map[string]string{
		"cycle":     "  A: !Condition B\n  B: !Condition A\n",
		"undefined": "  A: !Condition Missing\n",
		"bad ref":   "  A: !Equals [!Ref Nowhere, x]\n",
	} {
		src := "Conditions:\n" + conds + "Resources: {}\n"
		if _, err := Parse([]byte(src), Options{}); err == nil || !strings.Contains(err.Error(), "Conditions") {
			t.Errorf("%s: err = %v", name, err)
		}
	}
}
