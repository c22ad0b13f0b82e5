package provider

import (
	"context"
	"fmt"
	"math/big"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
)

// dynamicToGo converts a Terraform value of any type into the JSON-shaped Go value sent as a GROQ parameter:
// objects and maps become map[string]any, lists, sets and tuples []any, numbers float64 (or int64 when
// whole), and null nil.
func dynamicToGo(v attr.Value) (any, error) {
	if v == nil || v.IsNull() {
		return nil, nil
	}
	if v.IsUnknown() {
		return nil, fmt.Errorf("the value is not known until apply")
	}
	switch t := v.(type) {
	case basetypes.DynamicValue:
		if t.IsUnderlyingValueNull() {
			return nil, nil
		}
		if t.IsUnderlyingValueUnknown() {
			return nil, fmt.Errorf("the value is not known until apply")
		}
		return dynamicToGo(t.UnderlyingValue())
	case basetypes.StringValue:
		return t.ValueString(), nil
	case basetypes.BoolValue:
		return t.ValueBool(), nil
	case basetypes.NumberValue:
		return numberToGo(t.ValueBigFloat()), nil
	case basetypes.Int64Value:
		return t.ValueInt64(), nil
	case basetypes.Float64Value:
		return t.ValueFloat64(), nil
	case basetypes.ObjectValue:
		return mapToGo(t.Attributes())
	case basetypes.MapValue:
		return mapToGo(t.Elements())
	case basetypes.ListValue:
		return sliceToGo(t.Elements())
	case basetypes.SetValue:
		return sliceToGo(t.Elements())
	case basetypes.TupleValue:
		return sliceToGo(t.Elements())
	default:
		return nil, fmt.Errorf("values of type %s cannot be sent as GROQ parameters", v.Type(context.Background()))
	}
}

func numberToGo(f *big.Float) any {
	if f.IsInt() {
		if i, acc := f.Int64(); acc == big.Exact {
			return i
		}
	}
	out, _ := f.Float64()
	return out
}

func mapToGo(in map[string]attr.Value) (any, error) {
	out := make(map[string]any, len(in))
	for k, v := range in {
		g, err := dynamicToGo(v)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", k, err)
		}
		out[k] = g
	}
	return out, nil
}

func sliceToGo(in []attr.Value) (any, error) {
	out := make([]any, 0, len(in))
	for i, v := range in {
		g, err := dynamicToGo(v)
		if err != nil {
			return nil, fmt.Errorf("[%d]: %w", i, err)
		}
		out = append(out, g)
	}
	return out, nil
}
