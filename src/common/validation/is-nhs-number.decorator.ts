import {
  registerDecorator,
  type ValidationArguments,
  type ValidationOptions,
} from 'class-validator';
import { describeNhsNumberProblem, nhsNumberProblem } from './nhs-number.js';

/** class-validator decorator: format + Modulus 11 check digit. The message never echoes the value. */
export function IsNhsNumber(options?: ValidationOptions): PropertyDecorator {
  return (target: object, propertyName: string | symbol) => {
    registerDecorator({
      name: 'isNhsNumber',
      target: target.constructor,
      propertyName: String(propertyName),
      options,
      validator: {
        validate: (value: unknown) => nhsNumberProblem(value) === null,
        defaultMessage: (args?: ValidationArguments) => {
          const problem = nhsNumberProblem(args?.value) ?? 'wrong-check-digit';
          return `${args?.property ?? 'nhsNumber'}: ${describeNhsNumberProblem(problem)}`;
        },
      },
    });
  };
}
