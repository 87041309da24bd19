import {
  registerDecorator,
  type ValidationArguments,
  type ValidationOptions,
} from 'class-validator';

/**
 * class-validator decorator for text a person must write (a reason, a rationale, a label): it must
 * have at least `minLength` characters once the spaces at either end are left out, so "" and "   "
 * read as "X is required" rather than passing, or failing on a length the writer cannot see. Pair
 * it with @IsString(): a value of another type is reported by that alone (flattenValidationErrors).
 */
export function IsNotBlank(minLength = 1, options?: ValidationOptions): PropertyDecorator {
  return (target: object, propertyName: string | symbol) => {
    registerDecorator({
      name: 'isNotBlank',
      target: target.constructor,
      propertyName: String(propertyName),
      constraints: [minLength],
      options,
      validator: {
        validate: (value: unknown) => typeof value === 'string' && value.trim().length >= minLength,
        defaultMessage: (args?: ValidationArguments) => {
          const property = args?.property ?? 'value';
          const value: unknown = args?.value;
          if (typeof value === 'string' && value.trim().length > 0) {
            return `${property} must be at least ${minLength} characters, not counting spaces at either end`;
          }
          return `${property} is required`;
        },
      },
    });
  };
}
